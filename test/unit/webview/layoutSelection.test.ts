// An open Compare Layouts view keeps up with the file (client/src/layoutSelection.ts).
import { describe, expect, it } from 'vitest';
import { selectionAfterEdit } from '../../../client/src/layoutSelection';

describe('the layouts an open Compare view shows after an edit', () => {
  it('adds a layout the file gained to a chosen set', () => {
    expect(selectionAfterEdit(['a', 'c'], new Set(['a', 'b', 'c']), ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
  });

  it('does not bring back a layout the user left out, and keeps showing every layout when none was chosen', () => {
    expect(selectionAfterEdit(['a'], new Set(['a', 'b']), ['a', 'b'])).toEqual(['a']);
    expect(selectionAfterEdit(null, new Set(['a']), ['a', 'b'])).toBeNull();
  });

  it('adds nothing on the first report, when there is nothing to compare with', () => {
    expect(selectionAfterEdit(['a'], undefined, ['a', 'b'])).toEqual(['a']);
  });
});
