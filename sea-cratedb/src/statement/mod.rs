//! Native CrateDB statements that sea-query cannot express.
