// Prelude `.shard` files are bundled as text (esbuild `text` loader, and a vitest transform).
declare module '*.shard' {
  const text: string;
  export default text;
}
