//! From raw rows, as any format yields them, to the table: the header found
//! in the first rows, then data rows handed on one at a time (never all
//! held), up to a footer, within the limits.

use super::footer;
use super::header::{Layout, Matcher, Missing, RawRow, SCAN_ROWS, column_letter};
use super::{Footer, Header, Limits, Outline, SheetError, SheetFormat, Sink};

/// How many lines of a footer are kept to show the user.
const FOOTER_LINES: usize = 8;

/// Excel's limit on a cell's text.
const CELL_CHARS: usize = 32_767;

/// Whether the source should go on reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    More,
    Stop,
}

/// How a sheet ended.
pub(super) enum Finished {
    Table(Outline),
    /// No row named every required column; the nearest miss.
    Missing(Missing),
    Blank,
}

pub(super) struct Assembler<'a> {
    matcher: &'a Matcher<'a>,
    limits: &'a Limits,
    format: SheetFormat,
    sheet_name: Option<String>,
    head: Vec<RawRow>,
    state: State,
}

enum State {
    Scanning,
    Reading(Box<Reading>),
    Missing(Missing),
}

struct Reading {
    layout: Layout,
    header: Header,
    rows: usize,
    footer: Option<Footer>,
    /// The sink asked to stop.
    stopped: bool,
}

impl<'a> Assembler<'a> {
    pub fn new(
        matcher: &'a Matcher<'a>,
        limits: &'a Limits,
        format: SheetFormat,
        sheet_name: Option<String>,
    ) -> Self {
        Self {
            matcher,
            limits,
            format,
            sheet_name,
            head: Vec::new(),
            state: State::Scanning,
        }
    }

    pub fn max_columns(&self) -> usize {
        self.limits.max_columns
    }

    /// Takes the next row of the sheet (rows come in order; blank ones may
    /// be left out).
    pub fn push(&mut self, mut row: RawRow, sink: &mut dyn Sink) -> Result<Step, SheetError> {
        row.cells.truncate(self.limits.max_columns);
        match &mut self.state {
            State::Reading(reading) => return reading.take(row, self.limits, sink),
            State::Missing(_) => return Ok(Step::Stop),
            State::Scanning => {}
        }
        if row.cells.iter().all(Option::is_none) {
            return Ok(Step::More);
        }
        self.head.push(row);
        // One row more than the scan, for a two-row header at its end.
        if self.head.len() > SCAN_ROWS {
            return self.locate(sink);
        }
        Ok(Step::More)
    }

    /// The end of the sheet.
    pub fn finish(mut self, sink: &mut dyn Sink) -> Result<Finished, SheetError> {
        if matches!(self.state, State::Scanning) {
            if self.head.is_empty() {
                return Ok(Finished::Blank);
            }
            self.locate(sink)?;
        }
        Ok(match self.state {
            State::Scanning => Finished::Blank,
            State::Missing(m) => Finished::Missing(m),
            State::Reading(r) => Finished::Table(Outline {
                header: r.header,
                footer: r.footer,
                rows: r.rows,
            }),
        })
    }

    fn locate(&mut self, sink: &mut dyn Sink) -> Result<Step, SheetError> {
        let layout = match self.matcher.locate(&self.head) {
            Ok(layout) => layout,
            Err(missing) => {
                self.state = State::Missing(missing);
                return Ok(Step::Stop);
            }
        };
        let header = Header {
            format: self.format,
            sheet_name: self.sheet_name.clone(),
            header_row: layout.header_row,
            data_from: layout.data_from,
            columns: layout.columns.clone(),
            ignored_headers: layout.ignored.clone(),
        };
        let go_on = sink.header(&header);
        let mut reading = Reading {
            layout,
            header,
            rows: 0,
            footer: None,
            stopped: !go_on,
        };
        let head = std::mem::take(&mut self.head);
        let mut step = if go_on { Step::More } else { Step::Stop };
        for row in head {
            if step == Step::Stop {
                break;
            }
            if row.number >= reading.layout.data_from {
                step = reading.take(row, self.limits, sink)?;
            }
        }
        self.state = State::Reading(Box::new(reading));
        Ok(step)
    }
}

impl Reading {
    fn take(
        &mut self,
        row: RawRow,
        limits: &Limits,
        sink: &mut dyn Sink,
    ) -> Result<Step, SheetError> {
        if self.stopped {
            return Ok(Step::Stop);
        }
        if let Some(footer) = &mut self.footer {
            if let Some(line) = line_of(&row) {
                footer.stated_total = footer
                    .stated_total
                    .or_else(|| footer::stated_total(&row.cells));
                footer.lines.push(line);
            }
            return Ok(if footer.lines.len() >= FOOTER_LINES {
                Step::Stop
            } else {
                Step::More
            });
        }
        if footer::is_footer(&row.cells) {
            self.footer = Some(Footer {
                row: row.number,
                stated_total: footer::stated_total(&row.cells),
                lines: line_of(&row).into_iter().collect(),
            });
            return Ok(Step::More);
        }
        let mut cells = row.cells;
        let picked = self
            .layout
            .picks()
            .iter()
            .map(|&p| cells.get_mut(p).and_then(Option::take))
            .collect::<Vec<_>>();
        let Some(data) = self.layout.row(row.number, picked) else {
            return Ok(Step::More);
        };
        self.rows += 1;
        if self.rows > limits.max_rows {
            return Err(SheetError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        for (cell, &p) in data.cells.iter().zip(self.layout.picks()) {
            if let Some(text) = cell
                && text.len() > CELL_CHARS
                && text.chars().count() > CELL_CHARS
            {
                return Err(SheetError::CellTooLong {
                    cell: format!("{}{}", column_letter(p), row.number),
                });
            }
        }
        if sink.row(data) {
            Ok(Step::More)
        } else {
            self.stopped = true;
            Ok(Step::Stop)
        }
    }
}

/// A footer row as one line of text.
fn line_of(row: &RawRow) -> Option<String> {
    let parts: Vec<&str> = row.cells.iter().flatten().map(String::as_str).collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}
