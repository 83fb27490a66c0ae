import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Assets are referenced relative to index.html ('./'), so the same build works
// at `/` and under any --query.base-path: the server rewrites the <base> tag.
// SPOOR_QUERY_URL points the dev server's /api proxy at a running spoor.
const queryUrl = process.env.SPOOR_QUERY_URL ?? 'http://127.0.0.1:16686';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': queryUrl },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
