//! `hindsight new NAME`

use super::Term;
use hindsight::Site;
use hindsight::error::{Error, Result, fs};
use hindsight::slug::slugify;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The incident's title; the file name is made from it.
    name: String,
    /// Put it in this collection (a subfolder of the content folder).
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Your name, for the front matter.
    #[arg(long)]
    author: Option<String>,
}

const TEMPLATE: &str = hindsight::document::course::NEW_POSTMORTEM;

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let site = Site::load(root)?;
    let slug = slugify(&args.name);
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "`{}` has no letters or digits to make a file name from",
            args.name
        )));
    }
    let mut dir = site.content_dir();
    if let Some(c) = &args.collection {
        let c = slugify(c);
        if c.is_empty() {
            return Err(Error::Usage(
                "the collection name has no letters or digits".into(),
            ));
        }
        dir = dir.join(c);
    }
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(Error::Usage(format!("{} already exists", path.display())));
    }
    let today = today();
    let author = args
        .author
        .clone()
        .or_else(|| site.config.author.clone())
        .unwrap_or_default();
    let text = TEMPLATE
        .replace("{title}", &args.name.replace('"', "\\\""))
        .replace("{author}", &author.replace('"', "\\\""))
        .replace("{date}", &today);
    fs::write(&path, text)?;
    if !term.quiet {
        outln!("Created {}", path.display());
        outln!("Check it as you write: hindsight check {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Today's date, UTC, without a clock crate: days since the epoch to a civil date.
fn today() -> String {
    today_date().map(|d| d.to_string()).unwrap_or_default()
}

/// Today's date, UTC (`None` only for a clock set past the calendar's end).
pub(super) fn today_date() -> Option<chrono::NaiveDate> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(days)))
}
