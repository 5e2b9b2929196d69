//! `hindsight serve`

use super::Term;
use super::live::Live;
use hindsight::BuildOptions;
use hindsight::error::{Error, Result};
use hindsight::serve::{self, Preview};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port to listen on; when it is taken, a free one is used (0 picks one at once).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on. Anything but a loopback address lets other machines on
    /// your network see the preview.
    #[arg(long, value_name = "ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Show postmortems marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Build into this folder (default: a temporary folder, so the output folder you
    /// publish is never filled with preview links).
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let (listener, fell_back) = serve::bind(args.bind, args.port)
        .map_err(|e| Error::Usage(format!("cannot listen on {}:{}: {e}", args.bind, args.port)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Usage(format!("cannot listen: {e}")))?;
    if fell_back {
        term.warning(&format!(
            "port {} is taken; using {} instead",
            args.port,
            addr.port()
        ));
    }
    if !args.bind.is_loopback() {
        term.warning(&format!(
            "listening on {}: anyone who can reach this machine can read the preview",
            args.bind
        ));
    }
    let output = args.output.clone().unwrap_or_else(|| preview_dir(&root));
    std::fs::create_dir_all(&output).map_err(|e| Error::io(&output, e))?;
    let url = if args.bind.is_unspecified() {
        format!("http://localhost:{}/", addr.port())
    } else {
        format!("http://{addr}/")
    };
    let opts = BuildOptions {
        output: Some(output.clone()),
        drafts: args.drafts,
        // Root-relative links work whatever name the browser uses for this machine.
        base_url: Some("/".into()),
        strict: false,
    };
    let preview = Preview::start(listener, &output)
        .map_err(|e| Error::Usage(format!("cannot serve {}: {e}", output.display())))?;
    // Previews are built with base_url "/" on purpose: nothing to warn of.
    let live = Live::start(&root, opts, term, false)?;
    preview.set_problems(live.problems());
    // Always printed (even with --quiet): it is what the command is for.
    outln!("Serving {url}");
    if args.open {
        open_browser(&url, term);
    }
    live.run(term, |problems| {
        preview.set_problems(problems.to_vec());
        preview.reload();
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One preview folder per site, under the system's temporary folder, reused by the
/// next `serve` of the same site.
fn preview_dir(root: &Path) -> PathBuf {
    let mut h = DefaultHasher::new();
    root.hash(&mut h);
    let name = root
        .file_name()
        .map(|n| hindsight::slug::slugify(&n.to_string_lossy()))
        .unwrap_or_default();
    std::env::temp_dir().join(format!("hindsight-serve-{name}-{:08x}", h.finish() as u32))
}

fn open_browser(url: &str, term: Term) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = cmd.spawn() {
        term.warning(&format!("cannot open a browser ({e}); open {url} yourself"));
    }
}
