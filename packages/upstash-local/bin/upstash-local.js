#!/usr/bin/env node
// Committed shim so pnpm can link the bin before the first build; the real CLI lives in dist.
import '../dist/cli.js';
