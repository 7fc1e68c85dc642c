// The large .shard file the language-server benchmarks edit: a mesh, a model and a workload, then
// an FFN block of its own and a layout that uses it, repeated with fresh names.

const HEAD = 'mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nmodel tiny { layers = 2, E = 1024, F = 4096, H = 8, K = 1, Q = 128, V = 32000, ffn = gelu }\nworkload chat { batch = 64, prompt = 2048, generate = 64 }\n\n';

const unit = (i) => `# copy ${i}
ffn ffn_${i} {
  in h : BLE_xyz
  weight w_in  : E_x F_yz
  weight w_out : F_yz E_x
  a = all_gather(h, yz)       : BLE_x
  b = einsum(a, w_in)         : BLF_yz (partialsum-x)
  c = reduce_scatter(b, x)    : BLF_xyz
  d = gelu(c)
  e = all_gather(d, x)        : BLF_yz
  f = einsum(e, w_out)        : BLE_x (partialsum-yz)
  y = reduce_scatter(f, yz)   : BLE_xyz
  out y
}
layout layout_${i} { model = tiny, mesh = pod, workload = chat, ffn = ffn_${i}, attention = ws2d_batch }

`;

/** As many copies as fit in `lines` lines. */
export function largeShardFile(lines) {
  const perUnit = unit(0).split('\n').length - 1;
  let text = HEAD;
  for (let i = 0; text.split('\n').length + perUnit <= lines; i++) text += unit(i);
  return text;
}
