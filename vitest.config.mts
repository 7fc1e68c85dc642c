import { defineConfig } from 'vitest/config';

// `.shard` prelude files are imported as text, as the esbuild `text` loader does in the bundles.
export default defineConfig({
  plugins: [
    {
      name: 'shard-text',
      transform(code: string, id: string) {
        if (id.endsWith('.shard')) return { code: `export default ${JSON.stringify(code)};`, map: null };
        return null;
      },
    },
  ],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/lsp/**/*.test.ts', 'test/grammar/**/*.test.ts'],
    testTimeout: 60000,
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/yieldBetweenTests.ts'],
    pool: 'forks',
  },
});
