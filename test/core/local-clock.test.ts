// A node's own clock: skew, drift and strobe move ctx.now() and the timers that run on it.
import { describe, expect, it } from 'vitest';
import { LocalClock } from '../../core/index.js';
import { Scheduler } from '../../sim/index.js';

function fired(setup: (clock: LocalClock, scheduler: Scheduler, log: (label: string) => void) => void, untilMs = 1000): Array<[string, number]> {
  const scheduler = new Scheduler();
  const clock = new LocalClock(scheduler);
  const events: Array<[string, number]> = [];
  setup(clock, scheduler, (label) => events.push([label, scheduler.now()]));
  scheduler.run(untilMs);
  return events;
}

describe('LocalClock', () => {
  it('reads the backend time until changed; timers fire on time', () => {
    expect(fired((clock, _, log) => clock.schedule(100, () => log(`t=${clock.now()}`)))).toEqual([['t=100', 100]]);
  });

  it('drift: at rate 2 a 100 ms timer fires after 50 ms, and now() advances twice as fast', () => {
    const events = fired((clock, scheduler, log) => {
      scheduler.schedule(10, () => {
        clock.setRate(2);
        clock.schedule(clock.now() + 100, () => log(`local=${clock.now()}`));
      });
    });
    expect(events).toEqual([['local=110', 60]]);
  });

  it('many pending timers, some cancelled, fire in deadline order and follow a skew change in the order they were set', () => {
    const events = fired((clock, scheduler, log) => {
      const a = clock.schedule(300, () => log('a'));
      clock.schedule(200, () => log('b'));
      clock.schedule(200, () => log('c'));
      clock.cancel(a); // frees the first slot: the next timer has a larger id than those before it
      clock.schedule(200, () => log('d'));
      const e = clock.schedule(250, () => log('e'));
      clock.cancel(e);
      clock.cancel(e);
      scheduler.schedule(50, () => clock.setSkew(100)); // every pending timer moves 100 ms earlier
    });
    expect(events).toEqual([['b', 100], ['c', 100], ['d', 100]]);
  });

  it('a pending timer moves with a later change of rate', () => {
    const events = fired((clock, scheduler, log) => {
      clock.schedule(100, () => log('due at local 100'));
      scheduler.schedule(50, () => clock.setRate(0.5)); // 50 local ms left take 100 real ms
    });
    expect(events).toEqual([['due at local 100', 150]]);
  });

  it('skew and strobe: a jump forward fires the timers it passes, a jump back delays them', () => {
    const events = fired((clock, scheduler, log) => {
      clock.schedule(300, () => log('a'));
      clock.schedule(600, () => log('b'));
      scheduler.schedule(100, () => clock.setStrobe(250)); // local 350: a is due
      scheduler.schedule(200, () => clock.setStrobe(0)); // b at local 600 = real 600
      scheduler.schedule(250, () => clock.setSkew(-100)); // b now at real 700
    });
    expect(events).toEqual([['a', 100], ['b', 700]]);
  });

  it('a cancelled timer never fires, also after a change', () => {
    expect(
      fired((clock, scheduler, log) => {
        const id = clock.schedule(100, () => log('x'));
        scheduler.schedule(10, () => clock.setRate(2));
        scheduler.schedule(20, () => clock.cancel(id));
      }),
    ).toEqual([]);
  });
});
