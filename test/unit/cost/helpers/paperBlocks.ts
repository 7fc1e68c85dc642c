// Pope et al. Fig. 2 ffn layouts (gelu), written out for engine tests that run without the
// parser. The built-in prelude is the real source of these blocks; this is a stand-in.

import { block } from './miniBlocks';

export const WS2D = block('ffn', 'ws2d', `
  in h : BLE_xyz
  weight w_in : E_x F_yz
  weight w_out : F_yz E_x
  n = layernorm(h)
  a = all_gather(n, yz) : BLE_x
  b = einsum(a, w_in) : BLF_yz (partialsum-x)
  c = reduce_scatter(b, x) : BLF_xyz
  d = gelu(c)
  e = all_gather(d, x) : BLF_yz
  f = einsum(e, w_out) : BLE_x (partialsum-yz)
  y = reduce_scatter(f, yz) : BLE_xyz
  out y`);

export const WG_X = block('ffn', 'wg_x', `
  in h : B_x L E_yz
  weight w_in : E_x F_yz
  weight w_out : F_yz E_x
  n = layernorm(h)
  a = all_gather(n, yz) : B_x L E
  wi = all_gather(w_in, x) : E F_yz
  b = einsum(a, wi) : B_x L F_yz
  d = gelu(b)
  wo = all_gather(w_out, x) : F_yz E
  f = einsum(d, wo) : B_x L E (partialsum-yz)
  y = reduce_scatter(f, yz) : B_x L E_yz
  out y`);

export const WG_XY = block('ffn', 'wg_xy', `
  in h : B_xy L E_z
  weight w_in : E_x F_yz
  weight w_out : F_yz E_x
  n = layernorm(h)
  a = all_gather(n, z) : B_xy L E
  wi = all_gather(w_in, xy) : E F_z
  b = einsum(a, wi) : B_xy L F_z
  d = gelu(b)
  wo = all_gather(w_out, xy) : F_z E
  f = einsum(d, wo) : B_xy L E (partialsum-z)
  y = reduce_scatter(f, z) : B_xy L E_z
  out y`);

export const WG_XYZ = block('ffn', 'wg_xyz', `
  in h : B_xyz L E
  weight w_in : E_x F_yz
  weight w_out : F_yz E_x
  n = layernorm(h)
  wi = all_gather(w_in, xyz) : E F
  b = einsum(n, wi) : B_xyz L F
  d = gelu(b)
  wo = all_gather(w_out, xyz) : F E
  y = einsum(d, wo) : B_xyz L E
  out y`);

export const WS1D = block('ffn', 'ws1d', `
  in h : BLE_xyz
  weight w_in : E F_xyz
  weight w_out : F_xyz E
  n = layernorm(h)
  a = all_gather(n, xyz) : BLE
  b = einsum(a, w_in) : BLF_xyz
  d = gelu(b)
  f = einsum(d, w_out) : BLE (partialsum-xyz)
  y = reduce_scatter(f, xyz) : BLE_xyz
  out y`);
