//! Several CrateDB nodes forming one cluster on loopback.

use super::install::CrateDbInstall;
use super::node::{CrateDbNode, Discovery, Ports};
use crate::SupportError;

/// `n` nodes of one cluster, each with its own ports and data directory, discovering each other
/// through their transport ports on 127.0.0.1. Dropping it stops every node and removes its
/// directory.
#[derive(Debug)]
pub struct CrateDbCluster {
    nodes: Vec<CrateDbNode>,
}

impl CrateDbCluster {
    /// Starts `n` nodes and waits until every one of them sees all `n`.
    ///
    /// # Errors
    /// As [`CrateDbNode::start`]; [`SupportError::Config`] when `n` is 0.
    pub fn start(install: &CrateDbInstall, n: usize) -> Result<Self, SupportError> {
        if n == 0 {
            return Err(SupportError::Config(
                "a cluster needs at least one node".to_owned(),
            ));
        }
        let ports = (0..n)
            .map(|_| Ports::free())
            .collect::<Result<Vec<_>, _>>()?;
        let names: Vec<String> = (0..n).map(|i| format!("node-{i}")).collect();
        let discovery = Discovery::Cluster {
            seed_hosts: ports
                .iter()
                .map(|p| format!("127.0.0.1:{}", p.transport))
                .collect(),
            masters: names.clone(),
        };
        let cluster_name = format!("sqlx-cratedb-cluster-{}", std::process::id());
        let mut nodes = Vec::with_capacity(n);
        for (name, ports) in names.into_iter().zip(ports) {
            let node = CrateDbNode::create(
                install,
                name,
                cluster_name.clone(),
                ports,
                discovery.clone(),
            )?;
            nodes.push(node);
        }
        let mut cluster = Self { nodes };
        for node in &mut cluster.nodes {
            node.launch()?;
        }
        for node in &mut cluster.nodes {
            node.wait_ready(n)?;
        }
        Ok(cluster)
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the cluster has no nodes (never: [`CrateDbCluster::start`] refuses 0).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node `i`.
    pub fn node_mut(&mut self, i: usize) -> &mut CrateDbNode {
        &mut self.nodes[i]
    }

    /// Node `i`.
    pub fn node(&self, i: usize) -> &CrateDbNode {
        &self.nodes[i]
    }

    /// An HTTP URL listing every node: `crate://crate@127.0.0.1:p1,127.0.0.1:p2,…`.
    pub fn http_url(&self) -> String {
        let hosts: Vec<String> = self.nodes.iter().map(CrateDbNode::http_address).collect();
        format!("crate://crate@{}", hosts.join(","))
    }

    /// A pgwire URL listing every node: `postgres://crate@127.0.0.1:q1,…/doc`.
    pub fn pg_url(&self) -> String {
        let hosts: Vec<String> = self.nodes.iter().map(CrateDbNode::psql_address).collect();
        format!("postgres://crate@{}/doc", hosts.join(","))
    }
}
