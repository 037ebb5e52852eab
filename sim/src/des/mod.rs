//! A small discrete-event core: integer time, a `(time, seq)` ordered queue, one seeded
//! portable RNG passed explicitly, and a step loop.
//!
//! It knows nothing of oVirt and imports nothing from the rest of the workspace. A model
//! implements [`Model`]; [`run`] pops events in order and hands each to the model together
//! with the queue (to schedule more) and the RNG. There is no global or thread-local state:
//! the same seed, stream and inputs give the same sequence of events.

pub mod dist;
mod queue;
mod time;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use queue::{EventQueue, ScheduleError};
pub use time::SimTime;

/// The simulator's random number generator: portable (same numbers on every platform and
/// build) and seekable by stream, so run `i` of a Monte Carlo batch uses stream `i`.
pub type SimRng = ChaCha8Rng;

/// The RNG of run `stream` of a scenario seeded with `seed`.
pub fn rng(seed: u64, stream: u64) -> SimRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// What a model sees while it handles an event.
pub struct Context<'a, E> {
    pub queue: &'a mut EventQueue<E>,
    pub rng: &'a mut SimRng,
}

impl<E> Context<'_, E> {
    /// The time of the event being handled.
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Schedules `event` at `at`; an error when `at` is in the past.
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), ScheduleError> {
        self.queue.schedule(at, event)
    }

    /// Schedules `event` `delay_ms` milliseconds from now.
    pub fn schedule_in(&mut self, delay_ms: u64, event: E) -> Result<(), ScheduleError> {
        let at = self.now().after(delay_ms);
        self.queue.schedule(at, event)
    }
}

/// A simulated system: it reacts to its own events by changing state and scheduling more.
pub trait Model {
    type Event;
    type Error: From<ScheduleError>;

    fn handle(
        &mut self,
        ctx: &mut Context<'_, Self::Event>,
        event: Self::Event,
    ) -> Result<(), Self::Error>;
}

/// How a [`run`] ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RunStats {
    /// Events handled.
    pub events: u64,
    /// The time of the last event handled (or the start time when none was).
    pub end: SimTime,
}

/// Handles the next event if it lies at or before `until`; `false` when there was none.
pub fn step<M: Model>(
    model: &mut M,
    queue: &mut EventQueue<M::Event>,
    rng: &mut SimRng,
    until: SimTime,
) -> Result<bool, M::Error> {
    match queue.peek_time() {
        Some(next) if next <= until => {}
        _ => return Ok(false),
    }
    let Some((_, event)) = queue.pop() else {
        return Ok(false);
    };
    let mut ctx = Context { queue, rng };
    model.handle(&mut ctx, event)?;
    Ok(true)
}

/// Handles events in `(time, seq)` order until the queue is empty or the next event lies
/// after `until`; events after `until` stay in the queue.
pub fn run<M: Model>(
    model: &mut M,
    queue: &mut EventQueue<M::Event>,
    rng: &mut SimRng,
    until: SimTime,
) -> Result<RunStats, M::Error> {
    let mut events = 0;
    while step(model, queue, rng, until)? {
        events += 1;
    }
    Ok(RunStats {
        events,
        end: queue.now(),
    })
}

#[cfg(test)]
mod tests {
    use rand::RngExt;

    use super::{Context, EventQueue, Model, ScheduleError, SimTime, rng, run};

    struct Counter {
        seen: Vec<(u64, u32)>,
    }

    impl Model for Counter {
        type Event = u32;
        type Error = ScheduleError;
        fn handle(&mut self, ctx: &mut Context<'_, u32>, event: u32) -> Result<(), ScheduleError> {
            self.seen.push((ctx.now().as_ms(), event));
            if event < 3 {
                ctx.schedule_in(10, event + 1)?;
            }
            Ok(())
        }
    }

    #[test]
    fn step_loop_runs_in_time_then_sequence_order() {
        let mut queue = EventQueue::new();
        queue.schedule(SimTime::from_ms(5), 0).unwrap();
        queue.schedule(SimTime::from_ms(5), 10).unwrap();
        let mut model = Counter { seen: Vec::new() };
        let stats = run(&mut model, &mut queue, &mut rng(1, 0), SimTime::from_ms(20)).unwrap();
        assert_eq!(model.seen, vec![(5, 0), (5, 10), (15, 1)]);
        assert_eq!(stats.events, 3);
        assert_eq!(queue.len(), 1, "the event at 25 ms stays queued");
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut queue = EventQueue::new();
        queue.schedule(SimTime::from_ms(10), 1).unwrap();
        queue.pop();
        assert!(queue.schedule(SimTime::from_ms(9), 2).is_err());
        assert!(queue.schedule(SimTime::from_ms(10), 2).is_ok());
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| rng(7, 0).random()).collect();
        let b: u64 = rng(7, 1).random();
        assert_eq!(a[0], a[1]);
        assert_ne!(a[0], b);
    }
}
