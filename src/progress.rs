//! How far a build has got, told to whoever wants to show it (the command line's
//! progress bar). The library draws nothing and knows no terminal: a caller that does
//! not care passes [`Silent`].

/// A part of a build that is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Content files read and analysed.
    Analysing,
    /// Pages rendered (and written, when they changed).
    Rendering,
}

/// Told of a build's progress. Steps are told from the threads the work runs on, so it
/// must be `Sync`; every call must be cheap, since each file and page makes one.
pub trait Progress: Sync {
    /// `stage` begins, with `total` steps to do.
    fn begin(&self, stage: Stage, total: usize);
    /// One more step of the stage begun last is done.
    fn step(&self);
}

/// Tells nobody.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: Stage, _: usize) {}
    fn step(&self) {}
}
