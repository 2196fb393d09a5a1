//! The `crosswalk` command-line tool: argument parsing, loading, and output.

mod commands;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Compliance standards as structured data: browse, search and compare them.
#[derive(Debug, Parser)]
#[command(name = "crosswalk", version, about, max_term_width = 100)]
pub struct Cli {
    /// Extra library directory with framework, profile or comparison files (repeatable).
    #[arg(long = "library", global = true, value_name = "DIR", env = "CROSSWALK_LIBRARY")]
    pub library: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two standards side by side.
    Compare {
        /// First standard: a short id (soc2, iso27001) or an edition id (iso27001-2013).
        a: String,
        /// Second standard.
        b: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List and show frameworks.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Ranked full-text search over the ids, titles and summaries of every catalog.
    Search {
        /// Words or an id to look for.
        #[arg(required = true)]
        text: Vec<String>,
        /// Only search this framework.
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// How many results at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Work with library files.
    Library {
        #[command(subcommand)]
        command: LibraryCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// Every framework in the library.
    List {
        /// Print JSON: [{id, name, version, publisher, requirement_count, ...}].
        #[arg(long)]
        json: bool,
    },
    /// One framework with its requirement tree.
    Show {
        /// Short id, edition id or alias.
        id: String,
        /// Print JSON: {id, name, version, publisher, profile, requirements}.
        #[arg(long)]
        json: bool,
        /// Only show the tree down to this depth (1 = top level).
        #[arg(long)]
        depth: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Check the library files under DIR, alone and together with the built-in library.
    Validate {
        /// Directory to check (every *.toml under it).
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Md,
    Html,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
