// The prelude: the built-in hardware, models and blocks of spec/language.md §5, written in the
// shard language itself. The texts are bundled (esbuild `text` loader) so the engine needs no
// file system; the same files ship in the extension for go-to-definition.

import type { SourceFile } from '../syntax/ast';
import hardware from './hardware.shard';
import models from './models.shard';
import ffn from './ffn.shard';
import attention from './attention.shard';
import unembed from './unembed.shard';

/** The URI scheme under which prelude files are shown (read-only) in editors. */
export const PRELUDE_SCHEME = 'shardlens-prelude';

export const PRELUDE_FILES: readonly SourceFile[] = [
  { uri: `${PRELUDE_SCHEME}:/hardware.shard`, text: hardware, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/models.shard`, text: models, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/ffn.shard`, text: ffn, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/attention.shard`, text: attention, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/unembed.shard`, text: unembed, isPrelude: true },
];

/** The names of the built-in ffn blocks, in the order used to pick a default unembedding. */
export const BUILTIN_FFNS = ['ws2d', 'ws1d', 'wg_x', 'wg_xy', 'wg_xyz'] as const;
