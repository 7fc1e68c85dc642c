// The prelude: the built-in hardware, models and blocks of spec/language.md §5, written in the
// shard language itself. The texts are bundled (esbuild `text` loader) so the engine needs no
// file system; the same files ship in the extension for go-to-definition.

import type { SourceFile } from '../syntax/ast';
import hardware from './hardware.shard';
import models from './models.shard';
import ffn from './ffn.shard';
import attention from './attention.shard';
import mla from './mla.shard';
import unembed from './unembed.shard';
import moe from './moe.shard';
import partialBatch from './partial_batch.shard';

import { PRELUDE_SCHEME } from './scheme';

export { PRELUDE_SCHEME };

export const PRELUDE_FILES: readonly SourceFile[] = [
  { uri: `${PRELUDE_SCHEME}:/hardware.shard`, text: hardware, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/models.shard`, text: models, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/ffn.shard`, text: ffn, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/attention.shard`, text: attention, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/mla.shard`, text: mla, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/unembed.shard`, text: unembed, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/moe.shard`, text: moe, isPrelude: true },
  { uri: `${PRELUDE_SCHEME}:/partial_batch.shard`, text: partialBatch, isPrelude: true },
];
