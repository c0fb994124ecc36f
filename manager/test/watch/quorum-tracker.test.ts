import { describe, expect, it } from 'vitest';
import { ValidationError } from '@vigil/shared/errors';
import { QuorumTracker } from '../../src/watch/quorum-tracker.js';

describe('QuorumTracker', () => {
  it('with quorum 2 of 2, completes an update only when both monitors have it', () => {
    const t = new QuorumTracker(['a', 'b'], 2);
    expect(t.persisted('a', 'ch', 0)).toEqual([]);
    expect(t.persisted('b', 'ch', 0)).toEqual([0]);
    expect(t.persisted('a', 'ch', 3)).toEqual([]);
    expect(t.persisted('b', 'ch', 2)).toEqual([1, 2]);
    expect(t.persisted('b', 'ch', 3)).toEqual([3]);
  });

  it('with quorum 1 of 2, keeps going while one monitor is down', () => {
    const t = new QuorumTracker(['a', 'b'], 1);
    expect(t.persisted('a', 'ch', 0)).toEqual([0]);
    expect(t.persisted('a', 'ch', 4)).toEqual([1, 2, 3, 4]);
    expect(t.persisted('b', 'ch', 4)).toEqual([]);
    expect(t.positionOf('b', 'ch')).toBe(4);
  });

  it('keeps channels apart', () => {
    const t = new QuorumTracker(['a'], 1);
    expect(t.persisted('a', 'x', 1)).toEqual([0, 1]);
    expect(t.persisted('a', 'y', 0)).toEqual([0]);
  });

  it('never reports an update twice, and never overstates after a monitor goes back', () => {
    const t = new QuorumTracker(['a', 'b'], 2);
    t.persisted('a', 'ch', 5);
    expect(t.persisted('b', 'ch', 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.persisted('b', 'ch', 2)).toEqual([]);
    expect(t.durableUpTo('ch')).toBe(2);
    expect(t.persisted('b', 'ch', 6)).toEqual([]);
    expect(t.persisted('a', 'ch', 6)).toEqual([6]);
  });

  it('resumes from a restored state', () => {
    const t = new QuorumTracker(['a', 'b'], 2);
    t.restore(
      'ch',
      3,
      new Map([
        ['a', 3],
        ['b', 4],
      ]),
    );
    expect(t.persisted('a', 'ch', 4)).toEqual([4]);
  });

  it('refuses impossible configurations and unknown monitors', () => {
    expect(() => new QuorumTracker(['a', 'b'], 3)).toThrow(ValidationError);
    expect(() => new QuorumTracker(['a', 'a'], 1)).toThrow(/distinct/);
    expect(() => new QuorumTracker(['a'], 1).persisted('z', 'ch', 0)).toThrow(/unknown monitor z/);
  });
});
