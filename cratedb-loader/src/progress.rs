//! The progress display: a bar over the input's bytes (with rows/s and ETA) or, for an
//! export, a row counter; hidden when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress display.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    bar: ProgressBar,
    start: Instant,
}

impl Progress {
    /// A bar over `total` bytes.
    pub(crate) fn bytes(total: u64, quiet: bool) -> Self {
        let bar = Self::target(
            quiet,
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
        );
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {binary_bytes}/{binary_total_bytes} ETA {eta} {msg}",
        )
        .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        Self::start(bar)
    }

    /// A counter of rows.
    pub(crate) fn rows(quiet: bool) -> Self {
        let bar = Self::target(
            quiet,
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        );
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}") {
            bar.set_style(style);
        }
        Self::start(bar)
    }

    fn target(quiet: bool, bar: ProgressBar) -> ProgressBar {
        if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            bar
        }
    }

    fn start(bar: ProgressBar) -> Self {
        bar.enable_steady_tick(Duration::from_millis(200));
        Self {
            bar,
            start: Instant::now(),
        }
    }

    /// The bar, to print around it.
    pub(crate) fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// Time since the start.
    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Shows `position` bytes read (when a bar) and `rows` done.
    pub(crate) fn update(&self, position: Option<u64>, rows: u64) {
        if self.bar.is_hidden() {
            return;
        }
        if let Some(position) = position {
            self.bar.set_position(position);
        }
        self.bar.set_message(format!(
            "{} rows, {} rows/s",
            thousands(rows),
            thousands(rate(rows, self.elapsed()))
        ));
    }

    /// Removes the display.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Rows per second.
pub(crate) fn rate(rows: u64, elapsed: Duration) -> u64 {
    let millis = elapsed.as_millis().max(1);
    u64::try_from(u128::from(rows) * 1000 / millis).unwrap_or(u64::MAX)
}

/// `n` with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{rate, thousands};
    use std::time::Duration;

    #[test]
    fn figures() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(rate(5_000, Duration::from_millis(500)), 10_000);
        assert_eq!(rate(7, Duration::ZERO), 7_000);
    }
}
