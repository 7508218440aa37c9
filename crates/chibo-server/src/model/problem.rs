use serde::Serialize;

/// One thing wrong with one field. `code` is a stable message key
/// (translated by the web layer's catalogue); `value` is what the user typed,
/// echoed back so the message can say what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: &'static str,
    pub code: &'static str,
    pub value: Option<String>,
}

impl Problem {
    pub fn new(field: &'static str, code: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        Self {
            field,
            code,
            value: (!value.is_empty()).then_some(value),
        }
    }
}

/// All the problems of one form or one imported row, collected so the user
/// sees every mistake at once rather than one per submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value and records the problem: lets a parser check every field.
    pub fn take<T>(&mut self, r: Result<T, Problem>) -> Option<T> {
        r.map_err(|p| self.push(p)).ok()
    }

    pub fn for_field(&self, field: &str) -> Option<&Problem> {
        self.0.iter().find(|p| p.field == field)
    }
}
