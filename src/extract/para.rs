//! Paragraphs: the lines a writer meant as one text. Hard-wrapped prose and a list item
//! with the lines that carry it on are read whole, so a sentence split across lines
//! ("... at 16:50\nand stayed broken until ...") is one sentence.

use crate::document::{Line, LineKind};

/// A run of lines read as one text: a hard-wrapped paragraph, or a list item with the
/// lines that carry it on.
pub struct Paragraph<'a> {
    pub text: String,
    /// Where each line starts in `text`.
    starts: Vec<(usize, &'a Line)>,
}

impl<'a> Paragraph<'a> {
    pub fn lines(&self) -> impl Iterator<Item = &'a Line> + '_ {
        self.starts.iter().map(|(_, l)| *l)
    }

    pub fn first_line(&self) -> &'a Line {
        self.starts[0].1
    }

    pub fn line_at(&self, offset: usize) -> &'a Line {
        let i = self.starts.partition_point(|(s, _)| *s <= offset);
        self.starts[i.saturating_sub(1)].1
    }
}

pub fn paragraphs<'a>(region: &[&'a Line]) -> Vec<Paragraph<'a>> {
    let mut out: Vec<Paragraph<'a>> = Vec::new();
    let mut open = false;
    for &line in region {
        let readable = !matches!(line.kind, LineKind::Code) && !line.boilerplate;
        if !readable || line.is_blank() || line.text.is_empty() {
            open = false;
            continue;
        }
        // Text carries on a paragraph or an item; a new item, heading or row starts one.
        let continues = open && line.kind == LineKind::Text;
        match out.last_mut() {
            Some(p) if continues => {
                p.text.push(' ');
                p.starts.push((p.text.len(), line));
                p.text.push_str(&line.text);
            }
            _ => out.push(Paragraph {
                text: line.text.clone(),
                starts: vec![(0, line)],
            }),
        }
        // A question ends its paragraph: the next line answers it.
        open = matches!(line.kind, LineKind::Text | LineKind::Bullet { .. })
            && !line.text.trim_end().ends_with('?');
    }
    out
}
