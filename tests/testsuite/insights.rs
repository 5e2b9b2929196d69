//! The insights page on a fixture site whose numbers are known.

use crate::common::{TestSite, good_postmortem};
use hindsight::insights;
use hindsight::render::Card;

/// Three postmortems: 90 min / 40% (all checks), 20 min / all users (all checks), and a
/// midnight-crossing 4 h / 10% one without measures (fails two checks).
fn site() -> TestSite {
    let a = good_postmortem("Alpha");
    let b = good_postmortem("Bravo")
        .replace(
            "From 10:00 AM to 11:30 AM UTC",
            "From 10:00 AM to 10:20 AM UTC",
        )
        .replace(
            "About 40% of users were affected",
            "All users were affected",
        );
    let c = good_postmortem("Charlie")
        .replace(
            "From 10:00 AM to 11:30 AM UTC",
            "From 10:00 PM to 2:00 AM UTC",
        )
        .replace("About 40% of users", "About 10% of users");
    let c = c[..c.find("## Corrective").unwrap()].to_owned();
    TestSite::new("insights")
        .file("content/cohort-a/alpha.md", a)
        .file("content/cohort-a/bravo.md", b)
        .file("content/cohort-b/charlie.md", c)
}

#[test]
fn figures_match_the_fixture() {
    let site = site();
    let (_, analysis) = site.built();
    let cards: Vec<Card> = analysis
        .postmortems()
        .map(|(f, e)| Card::new(&e.postmortem, &f.path))
        .collect();
    let refs: Vec<&Card> = cards.iter().collect();
    let i = insights::compute(&refs);
    assert_eq!(i.all.postmortems, 3);
    assert_eq!(i.all.perfect, 2);
    assert_eq!(i.all.durations.median, Some(90.0));
    let counts: Vec<usize> = i.all.durations.buckets.iter().map(|b| b.count).collect();
    assert_eq!(counts, [1, 0, 1, 0, 1, 0, 0], "< 30 min, 1–2 h, 4–8 h");
    assert_eq!(i.all.users.median, Some(40.0));
    let counts: Vec<usize> = i.all.users.buckets.iter().map(|b| b.count).collect();
    assert_eq!(counts, [1, 0, 1, 0, 0, 1], "10%, 40%, 100%");
    let tasks = i
        .all
        .checks
        .iter()
        .find(|c| c.id == "measures-tasks")
        .unwrap();
    assert_eq!((tasks.passed, tasks.of, tasks.percent), (2, 3, 66.7));
    assert_eq!(i.most_missed.len(), 2);
    assert!(i.most_missed.iter().all(|c| c.id.starts_with("measures-")));
    assert_eq!(i.collections.len(), 2);
    let a = &i.collections[0];
    assert_eq!(
        (
            a.collection.name.as_str(),
            a.figures.postmortems,
            a.figures.perfect
        ),
        ("cohort-a", 2, 2)
    );
    let b = &i.collections[1];
    assert_eq!(
        (
            b.collection.name.as_str(),
            b.figures.postmortems,
            b.figures.perfect
        ),
        ("cohort-b", 1, 0)
    );
    assert_eq!(b.figures.durations.median, Some(240.0));
}

#[test]
fn the_page_shows_the_figures_in_tables_and_charts() {
    let site = site();
    site.built();
    let html = site.read("insights/index.html");
    assert!(html.contains("the median is 1 h 30 min"), "median duration");
    assert!(html.contains("the median is 40%"), "median share of users");
    assert!(
        html.contains("<td class=\"num\">2/3</td><td class=\"num\">66.7%</td>"),
        "measures pass rates in the table"
    );
    assert!(html.contains(">cohort-b</a></th>"), "per-collection row");
    assert_eq!(
        html.matches("<svg").count(),
        5,
        "checks, durations, users, root causes and tags charts"
    );
    for chart in html.split("<svg").skip(1) {
        let svg = format!("<svg{}", &chart[..chart.find("</svg>").unwrap() + 6]);
        roxmltree::Document::parse(&svg).expect("well-formed chart");
    }
    assert!(
        site.read("index.html").contains("insights/"),
        "the site links the insights page"
    );
}

#[test]
fn figures_of_groups_whose_cards_did_not_change_are_taken_from_the_last_render() {
    let site = site();
    let (_, analysis) = site.built();
    let mut cards: Vec<Card> = analysis
        .postmortems()
        .map(|(f, e)| Card::new(&e.postmortem, &f.path))
        .collect();
    let mut fps: Vec<u64> = vec![1, 2, 3];
    let mut remembered = insights::Remembered::default();
    let refs: Vec<&Card> = cards.iter().collect();
    let first = insights::compute_remembering(&refs, |i| fps[i], &mut remembered);
    assert_eq!(first, insights::compute(&refs));
    // What was remembered is what is taken back: mark each group's figures.
    for figures in remembered.values_mut() {
        figures.postmortems += 100;
    }
    let again = insights::compute_remembering(&refs, |i| fps[i], &mut remembered);
    assert_eq!(
        again.all.postmortems, 103,
        "no card changed: all taken back"
    );
    // A card of cohort-a changes: the class and cohort-a are worked out again,
    // cohort-b is taken back.
    let i = cards
        .iter()
        .position(|c| c.source.contains("cohort-a"))
        .unwrap();
    cards[i].users_affected_percent = Some(75.0);
    fps[i] = 9;
    let refs: Vec<&Card> = cards.iter().collect();
    let edited = insights::compute_remembering(&refs, |i| fps[i], &mut remembered);
    let fresh = insights::compute(&refs);
    assert_eq!(edited.all, fresh.all);
    let of = |i: &insights::Insights, slug: &str| {
        i.collections
            .iter()
            .find(|c| c.collection.slug == slug)
            .unwrap()
            .figures
            .clone()
    };
    assert_eq!(of(&edited, "cohort-a"), of(&fresh, "cohort-a"));
    assert_eq!(
        of(&edited, "cohort-b").postmortems,
        of(&fresh, "cohort-b").postmortems + 100
    );
}

#[test]
fn common_root_causes_group_postmortems_by_what_went_wrong_not_by_tag() {
    let with_cause = |title: &str, cause: &str| {
        good_postmortem(title).replace(
            "The root cause was a database connection pool that was too small for the new worker count.",
            cause,
        )
    };
    // Three typos (in nginx, PHP and the database's settings: three different tags),
    // four misconfigurations, one expired certificate.
    let site = TestSite::new("insights-causes")
        .file(
            "content/a.md",
            with_cause("Alpha", "The root cause was a typo in the nginx site file."),
        )
        .file(
            "content/b.md",
            with_cause("Bravo", "The root cause was a misspelt PHP include name."),
        )
        .file(
            "content/c.md",
            with_cause(
                "Charlie",
                "The root cause was a typo in the MySQL host name.",
            ),
        )
        .file(
            "content/d.md",
            with_cause(
                "Delta",
                "The root cause was a misconfigured load balancer, leading to an overload of one server.",
            ),
        )
        .file(
            "content/e.md",
            with_cause("Echo", "The root cause was a wrong setting in the cache configuration."),
        )
        .file(
            "content/f.md",
            with_cause("Foxtrot", "The root cause was a bad configuration of the firewall rules."),
        )
        .file(
            "content/g.md",
            with_cause(
                "Golf",
                "The root cause was an Apache virtual host configured with the wrong document root.",
            ),
        )
        .file(
            "content/h.md",
            with_cause("Hotel", "The root cause was an expired TLS certificate on the API."),
        );
    let (_, analysis) = site.built();
    let cards: Vec<Card> = analysis
        .postmortems()
        .map(|(f, e)| Card::new(&e.postmortem, &f.path))
        .collect();
    let refs: Vec<&Card> = cards.iter().collect();
    let i = insights::compute(&refs);
    let groups: Vec<(&str, usize, usize, usize)> = i
        .all
        .causes
        .iter()
        .map(|g| (g.slug, g.count, g.examples.len(), g.more))
        .collect();
    assert_eq!(
        groups,
        [
            ("config", 4, 3, 1),
            ("typo", 3, 3, 0),
            ("credentials", 1, 1, 0)
        ],
        "{:?}",
        i.all.causes
    );
    assert_eq!(i.all.causes_unstated, 0);
    let html = site.read("insights/index.html");
    let start = html
        .find("aria-labelledby=\"h-causes\"")
        .expect("the section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("<h2 id=\"h-causes\">Common root causes</h2>"));
    assert!(
        section.contains("<th scope=\"row\">A misconfiguration</th><td class=\"num\">4</td>"),
        "{section}"
    );
    assert!(
        section.contains("<th scope=\"row\">A typo or a wrong name</th><td class=\"num\">3</td>"),
        "{section}"
    );
    assert!(section.contains("and 1 more"), "{section}");
    // Each group links to its postmortems' pages, and no tag is listed as a cause.
    let typos = &section[section.find("id=\"cause-typo\"").unwrap()..];
    let typos = &typos[..typos.find("</tr>").unwrap()];
    for slug in ["a", "b", "c"] {
        assert!(
            typos.contains(&format!("href=\"../incidents/{slug}/\"")),
            "{typos}"
        );
    }
    assert!(
        !section.contains("#nginx") && !section.contains("tags/"),
        "{section}"
    );
}
