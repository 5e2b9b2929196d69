//! Copied work: near-duplicate postmortems found over a site, shown on their pages only
//! when `show_copies` says so, kept right by incremental builds, and found on the
//! course's real submissions.

use crate::common::{TestSite, good_postmortem, shared};
use crate::incremental::{assert_same_as_full_build, touch};
use hindsight::BuildOptions;
use hindsight::copies::{self, Doc};
use hindsight::session::Session;
use hindsight::site::Analysis;

/// The same incident as [`good_postmortem`], written independently.
const OWN_WORDS: &str = "\
# Wallet payments that would not go through

## Summary

Between 09:15 and 10:05 GMT+1 on 2 May 2024 payments in the mobile wallet kept spinning
and then failed; roughly a third of our customers saw it. Too few database connections
were available once the new release started more workers.

## Timeline

- 09:15 - Support forwarded three angry tweets about failed transfers.
- 09:25 - I read the gateway traces and suspected the card processor was down.
- 09:40 - That was wrong: the processor's status page was green and its API answered.
- 09:45 - Paged Amaka from the platform group, who owns the Postgres cluster.
- 10:00 - She saw every slot of the pgbouncer pool taken and doubled it.
- 10:05 - Transfers succeeded again; we watched for an hour before closing.

## Root cause and resolution

Each application process keeps a handful of connections open for as long as a transfer
runs, and the release doubled the process count without touching pgbouncer, so its
fixed pool filled at the morning peak and new requests queued until the client gave up.
Doubling the pool and making the processes return connections between statements fixed
it without a restart of the database.

## Corrective and preventative measures

- Alert when the pool is more than 80% used.
- Size the pool from the process count in the deployment template.
- Rehearse a morning peak in staging before each release.
";

/// `good_postmortem` handed in again by another student, with the names changed.
fn copy_of_good() -> String {
    good_postmortem("Checkout that could not take money")
        .replace("checkout API", "payment service")
        .replace("May 2, 2024", "June 14, 2023")
        .replace("database team", "DBA team")
}

fn site(settings: &str) -> TestSite {
    TestSite::new("copies")
        .file("site.toml", settings)
        .file("content/ada.md", good_postmortem("The pool that ran dry"))
        .file("content/bola.md", copy_of_good())
        .file("content/chidi.md", OWN_WORDS)
}

#[test]
fn a_copy_is_shown_on_both_pages_only_when_the_site_says_so() {
    let off = site("");
    let (_, analysis) = off.built();
    assert_eq!(analysis.postmortems().count(), 3);
    for page in ["ada", "bola", "chidi"] {
        let html = off.read(&format!("incidents/{page}/index.html"));
        assert!(
            !html.contains("Similar submission"),
            "{page}: shown while off"
        );
    }
    for theme in ["default", "terminal"] {
        let on = site(&format!("show_copies = true\ntheme = \"{theme}\"\n"));
        on.built();
        let ada = on.read("incidents/ada/index.html");
        let bola = on.read("incidents/bola/index.html");
        let chidi = on.read("incidents/chidi/index.html");
        assert!(ada.contains("Similar submission"), "{theme}: {ada}");
        assert!(
            ada.contains("href=\"../../incidents/bola/\">Checkout that could not take money</a>"),
            "{theme}: the copy is linked from the original"
        );
        assert!(bola.contains("href=\"../../incidents/ada/\">The pool that ran dry</a>"));
        assert!(ada.contains("<details>") && ada.contains("shared passage"));
        assert!(ada.contains("<code>bola.md</code>"));
        // Its similarity, as a percentage, is on the page.
        let pct = ada
            .split("class=\"pct\">")
            .nth(1)
            .and_then(|s| s.split('%').next())
            .and_then(|s| s.parse::<u32>().ok())
            .expect("a percentage");
        assert!((50..=100).contains(&pct), "{pct}");
        // The same incident in its own words is nobody's copy.
        assert!(!chidi.contains("Similar submission"), "{theme}: {chidi}");
        let section = ada.split("id=\"copies\"").nth(1).unwrap();
        let section = section.split("</section>").next().unwrap();
        assert!(!section.contains("chidi"), "{section}");
    }
}

#[test]
fn the_grades_name_each_copy_and_the_report_page_only_when_the_site_shows_them() {
    for (settings, shown) in [("", false), ("show_copies = true\n", true)] {
        let site = site(settings);
        // `hindsight report` is the instructor's: it names the copies either way.
        let out = site.run(&["report"]);
        assert!(out.status.success());
        let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
        let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_owned).collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        let copies_of = |file: &str| -> String {
            rows.iter()
                .find(|r| &r[col("file")] == file)
                .map(|r| r[col("near_duplicates")].to_owned())
                .unwrap()
        };
        assert!(copies_of("ada.md").starts_with("bola.md "), "{rows:?}");
        assert!(copies_of("ada.md").ends_with('%'));
        assert!(copies_of("bola.md").starts_with("ada.md "));
        assert_eq!(copies_of("chidi.md"), "", "written in its own words");
        let json = site.run(&["report", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let ada = doc["postmortems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["file"] == "ada.md")
            .unwrap();
        assert_eq!(ada["near_duplicates"][0]["file"], "bola.md");
        // The report page is public: a column of them only with `show_copies`.
        site.built();
        let page = site.read("report/index.html");
        assert_eq!(page.contains("data-key=\"copies\""), shown, "{settings}");
        assert_eq!(
            page.contains("incidents/bola/\">bola.md "),
            shown,
            "{settings}"
        );
        let rows_js = site.read("report/rows.js");
        // A row's copies are `[[row, percent], ...]`, after its words.
        let listed = ["[[0,", "[[1,", "[[2,"].iter().any(|p| rows_js.contains(p));
        assert_eq!(listed, shown, "{rows_js}");
    }
}

#[test]
fn a_page_follows_its_partner_in_an_incremental_build() {
    let site = site("show_copies = true\n");
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    assert_same_as_full_build(&site, "first build");
    // The copy's title changes: the original's page, which names it, is written again.
    let p = touch(
        &site,
        "content/bola.md",
        copy_of_good().replace("Checkout that could not take money", "Till closed"),
    );
    let r = session.rebuild(&[p]).unwrap();
    assert!(
        r.render
            .written
            .iter()
            .any(|w| w == "incidents/ada/index.html"),
        "{:?}",
        r.render.written
    );
    assert!(
        site.read("incidents/ada/index.html")
            .contains(">Till closed</a>")
    );
    assert_same_as_full_build(&site, "partner retitled");
    // The copy rewritten in its own words: the pair is gone from both pages.
    let p = touch(&site, "content/bola.md", OWN_WORDS.replace("Amaka", "Bola"));
    session.rebuild(&[p]).unwrap();
    assert!(
        !site
            .read("incidents/ada/index.html")
            .contains("Similar submission")
    );
    assert_same_as_full_build(&site, "copy rewritten");
}

/// The near-duplicates among a build's postmortems, with each one's file path.
fn near_duplicates(analysis: &Analysis) -> (Vec<String>, copies::Copies) {
    let list: Vec<_> = analysis.postmortems().collect();
    let docs: Vec<Doc> = list
        .iter()
        .map(|(f, e)| Doc {
            file: &f.path,
            version: f.fingerprint,
            print: &e.print,
        })
        .collect();
    let found = copies::detect(&docs, |i| list[i].0.text.unpack());
    (list.iter().map(|(f, _)| f.path.clone()).collect(), found)
}

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn the_corpus_copy_families_and_a_planted_copy_are_found() {
    let corpus = shared().join("corpus/alx");
    let site = TestSite::with_content_from("copies-corpus", &corpus)
        .remove("content/labels.jsonl")
        .remove("content/README.md")
        .remove("content/SOURCES.tsv");
    let (_, analysis) = site.built();
    let (paths, found) = near_duplicates(&analysis);
    // Measured when the threshold was chosen (README, "Copied work"): 105 pairs in 6
    // families; a floor, so that a better reading of the files may find more.
    assert!(found.pairs.len() >= 80, "{} pairs", found.pairs.len());
    assert!(found.families().len() >= 5, "{:?}", found.families());
    // A light edit of a postmortem nobody copied (an even-numbered file, the half the
    // threshold was chosen on): every 30th word changed, and the title.
    let (i, original) = paths
        .iter()
        .enumerate()
        .find(|(i, p)| {
            p.split('_')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n % 2 == 0)
                && found.of(*i).next().is_none()
                && analysis
                    .postmortems()
                    .nth(*i)
                    .unwrap()
                    .1
                    .postmortem
                    .word_count
                    > 300
        })
        .expect("a postmortem in no pair");
    let text = std::fs::read_to_string(site.dir.join("content").join(original)).unwrap();
    let mut n = 0;
    let edited: String = text
        .split_inclusive(' ')
        .map(|w| {
            n += 1;
            if n % 30 == 0 { "altered " } else { w }
        })
        .collect();
    assert_ne!(edited, text);
    site.put("content/zz-planted.md", &edited);
    let (_, analysis) = site.built();
    let (paths, found) = near_duplicates(&analysis);
    let planted = paths.iter().position(|p| p == "zz-planted.md").unwrap();
    let at = paths.iter().position(|p| p == original).unwrap();
    let pair = found
        .of(planted)
        .find(|p| p.partner(planted) == at)
        .unwrap_or_else(|| panic!("the copy of {original} (#{i}) is not found"));
    assert!(pair.similarity >= 0.6, "{}", pair.similarity);
    assert!(!pair.passages.is_empty());
}
