import type { NextConfig } from 'next';

const config: NextConfig = {
  // The workspace's TypeScript 7 has no JavaScript API: let `next build` type-check with its CLI.
  experimental: { useTypeScriptCli: true },
};

export default config;
