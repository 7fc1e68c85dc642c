// The URI scheme of the prelude files, on its own: a client that only needs the name (to show
// the files read-only) does not bundle their texts.

/** The URI scheme under which prelude files are shown (read-only) in editors. */
export const PRELUDE_SCHEME = 'shardlens-prelude';
