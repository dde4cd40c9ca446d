import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The gateway to proxy to in development (`npm run dev -w @crm/dashboard`). */
const gateway = process.env.CRM_GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  // Served by the gateway at /app/ (apps/gateway/src/dashboard-files.ts).
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    port: 5173,
    strictPort: false,
    proxy: { '/graphql': { target: gateway, ws: true, changeOrigin: true } },
  },
});
