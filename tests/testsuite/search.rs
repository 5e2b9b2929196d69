//! The search index (`search/index.js`) and page (`search/`): every published postmortem
//! in the index with its fields, student text kept as text, and an incremental build
//! writing the same index as a full one. The browser test types into the page in
//! headless Chromium (`tests/browser/search.mjs`).

use crate::common::{TestSite, good_postmortem};
use crate::incremental::{assert_same_as_full_build, touch};
use hindsight::BuildOptions;
use hindsight::render::search::{FIELDS, INDEX_FILE};
use hindsight::session::Session;
use serde_json::Value;
use std::path::Path;

/// The word only the zebrafish postmortem's root cause holds.
pub const CAUSE_WORD: &str = "zebrafish";

const HOSTILE_TITLE: &str = "</script><img src=x onerror=alert(1)> \u{2028}Queue & \"quotes\"";

/// Five files: two collections, a tag three of them share, one that fails most checks,
/// one whose title is markup, and a draft (not published, not in the index).
pub fn fixture(name: &str) -> TestSite {
    let with_tags = |tags: &str, body: String| format!("+++\ntags = [{tags}]\n+++\n{body}");
    TestSite::new(name)
        .file("site.toml", "title = \"Search fixture\"\n")
        .file(
            "content/cohort-a/pool.md",
            with_tags("\"database\"", good_postmortem("The pool that ran dry")),
        )
        .file(
            "content/cohort-a/zebra.md",
            with_tags(
                "\"queue\"",
                good_postmortem("The night the queue overflowed").replace(
                    "The root cause was a database connection pool that was too small for the new worker count.",
                    &format!("The root cause was a forgotten {CAUSE_WORD} cron job that flooded the message queue."),
                ),
            ),
        )
        .file(
            "content/cohort-b/hostile.md",
            format!(
                "+++\ntitle = {}\ntags = [\"queue\"]\nauthor = \"<b>Mallory</b>\"\n+++\n{}",
                toml_string(HOSTILE_TITLE),
                good_postmortem("ignored")
                    .split_once('\n')
                    .unwrap()
                    .1
                    .replace("the checkout API", "the <script>alert(2)</script> API"),
            ),
        )
        .file(
            "content/cohort-b/thin.md",
            "+++\ntitle = \"Half a postmortem\"\ntags = [\"queue\"]\n+++\n\n## Issue Summary\n\nThe queue stopped for a while and nobody knows why.\n",
        )
        .file(
            "content/cohort-b/draft.md",
            format!("+++\ndraft = true\n+++\n{}", good_postmortem("A draft nobody sees")),
        )
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The index of a built site, parsed, its parts' records joined; the raw text of its
/// files besides.
pub fn index_of(public: &Path) -> (Value, String) {
    hindsight::render::search::read(public)
        .expect("the search index: `self.hindsightIndex = {...};` and its parts")
}

/// Records as objects keyed by field name, by title.
fn records(index: &Value) -> Vec<serde_json::Map<String, Value>> {
    index["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            FIELDS
                .iter()
                .zip(r.as_array().unwrap())
                .map(|(f, v)| ((*f).to_owned(), v.clone()))
                .collect()
        })
        .collect()
}

#[test]
fn every_published_postmortem_is_in_the_index_with_its_fields() {
    let site = fixture("search-index");
    site.built();
    let (index, text) = index_of(&site.dir.join("public"));
    let recs = records(&index);
    let titles: Vec<&str> = recs.iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(recs.len(), 4, "{titles:?}");
    assert!(!titles.iter().any(|t| t.contains("draft")), "{titles:?}");
    // Every record leads to a page that was built.
    for r in &recs {
        let slug = r["slug"].as_str().unwrap();
        assert!(
            site.out(&format!("incidents/{slug}/index.html")).is_file(),
            "{slug}"
        );
    }
    let by = |t: &str| recs.iter().find(|r| r["title"] == t).unwrap();
    let zebra = by("The night the queue overflowed");
    assert!(
        zebra["root_cause"].as_str().unwrap().contains(CAUSE_WORD),
        "{zebra:?}"
    );
    for r in &recs {
        let in_others = r != zebra
            && [&r["title"], &r["summary"], &r["root_cause"]]
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.contains(CAUSE_WORD)));
        assert!(!in_others, "{CAUSE_WORD} is only in the zebra's root cause");
    }
    assert!(
        !zebra["summary"].as_str().unwrap().contains(CAUSE_WORD),
        "the word is in the root cause, not the summary the card shows"
    );
    assert_eq!(zebra["duration_minutes"], 90);
    assert_eq!(zebra["users_affected_percent"], 40.0);
    assert_eq!(
        zebra["passed"], index["checks"],
        "the good postmortem passes all"
    );
    let thin = by("Half a postmortem");
    assert!(thin["passed"].as_u64() < index["checks"].as_u64());
    // Tags and collections by number into the tables.
    let tag = |n: &Value| index["tags"][n.as_u64().unwrap() as usize][1].clone();
    let col = |r: &serde_json::Map<String, Value>| {
        index["collections"][r["collection"].as_u64().unwrap() as usize][1].clone()
    };
    assert!(
        zebra["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| tag(n) == "queue")
    );
    assert_eq!(col(zebra), "cohort-a");
    assert_eq!(col(thin), "cohort-b");
    let queue: Vec<&str> = recs
        .iter()
        .filter(|r| {
            r["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| tag(n) == "queue")
        })
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(queue.len(), 3, "{queue:?}");

    // Student text is text: as written in the JSON, and nothing in the file is markup.
    let hostile = recs
        .iter()
        .find(|r| r["title"].as_str().unwrap().contains("onerror"))
        .unwrap();
    assert_eq!(
        hostile["title"], "</script><img src=x onerror=alert(1)> Queue & \"quotes\"",
        "kept as written, on one line"
    );
    assert_eq!(hostile["author"], "<b>Mallory</b>");
    for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!text.contains(bad), "{bad:?} is written as a \\u escape");
    }
    // The search page links the script and the index, and offers every tag and
    // collection; without script it says so and links the listings.
    let page = site.read("search/index.html");
    assert!(page.contains("src=\"../static/search.js\""), "{page}");
    assert!(page.contains("data-index=\"../search/index.js\""));
    assert!(page.contains("<option value=\"queue\">"));
    assert!(page.contains("<option value=\"cohort-b\">"));
    assert!(page.contains("<noscript>") && page.contains("href=\"../incidents/\""));
    assert!(
        site.out("static/search.js").is_file(),
        "the script is the theme's"
    );
    // The index page and the navigation lead there.
    let home = site.read("index.html");
    assert!(home.contains("action=\"./search/\""), "the search box");
    assert!(home.contains("href=\"./search/\""), "the navigation");
}

#[test]
fn an_edit_rewrites_the_index_as_a_full_build_would() {
    let site = fixture("search-inc");
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    assert_same_as_full_build(&site, "first build");
    let before = index_of(&site.dir.join("public")).1;

    // A root cause edited: the index follows.
    let text = std::fs::read_to_string(site.dir.join("content/cohort-a/zebra.md"))
        .unwrap()
        .replace(CAUSE_WORD, "axolotl");
    let p = touch(&site, "content/cohort-a/zebra.md", text);
    let r = session.rebuild(&[p]).unwrap();
    assert!(
        r.render.written.iter().any(|w| w == INDEX_FILE),
        "{:?}",
        r.render.written
    );
    let after = index_of(&site.dir.join("public")).1;
    assert!(after.contains("axolotl") && !after.contains(CAUSE_WORD));
    assert_ne!(before, after);
    assert_same_as_full_build(&site, "a root cause edited");

    // A postmortem removed: its record goes.
    std::fs::remove_file(site.dir.join("content/cohort-b/thin.md")).unwrap();
    let gone = site.dir.join("content/cohort-b/thin.md");
    session.rebuild(&[gone]).unwrap();
    let (index, _) = index_of(&site.dir.join("public"));
    assert_eq!(index["records"].as_array().unwrap().len(), 3);
    assert_same_as_full_build(&site, "a postmortem removed");

    // Another postmortem's page edited in a way its card does not show: the index is
    // not written again.
    let text = std::fs::read_to_string(site.dir.join("content/cohort-a/pool.md"))
        .unwrap()
        .replace("Document the pool size", "Record the pool size");
    let p = touch(&site, "content/cohort-a/pool.md", text);
    let r = session.rebuild(&[p]).unwrap();
    assert!(
        !r.render.written.iter().any(|w| w == INDEX_FILE),
        "{:?}",
        r.render.written
    );
    assert_same_as_full_build(&site, "a task edited");
}

/// Types into the search page in headless Chromium, in both themes at 375 and 1280 px:
/// a word of one root cause finds that card; a tag filter and the passes/fails filter
/// narrow the cards; the time to first result at load is printed. Screenshots go to
/// `target/screenshots/search/`.
#[test]
#[ignore = "needs Chromium and `npm ci` in tests/browser"]
fn the_search_page_finds_and_filters_in_chromium() {
    let chromium = crate::browser::chromium();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = repo.join("target/screenshots/search");
    std::fs::create_dir_all(&shots).unwrap();
    let mut failed = Vec::new();
    for theme in ["default", "terminal"] {
        let site = fixture("search-browser").file(
            "site.toml",
            format!("title = \"Search fixture\"\ntheme = \"{theme}\"\n"),
        );
        site.built();
        let page = site.out("search/index.html");
        let args = [
            page.as_os_str(),
            shots.as_os_str(),
            theme.as_ref(),
            CAUSE_WORD.as_ref(),
        ];
        if let Err(out) = crate::browser::run_script("search.mjs", &args, &chromium) {
            failed.push(format!("theme `{theme}`:\n{out}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
