// The runtimes the README names, at the versions these tests install from the npm registry (exact, so a
// run is reproducible; bump them here, and the install cache, keyed by these, installs the new ones).
export const runtimeVersions = {
  bun: { bun: '1.4.5' },
  deno: { deno: '2.9.6' },
  // Miniflare runs workerd, the Workers runtime; esbuild bundles the worker as wrangler would.
  workers: { miniflare: '4.20260730.0', esbuild: '0.28.2' },
  // next build type-checks through TypeScript's JavaScript API, which TypeScript 7 (native) no longer has.
  nextjs: {
    next: '16.4.6',
    react: '19.3.1',
    'react-dom': '19.3.1',
    typescript: '5.9.3',
    '@types/react': '19.3.3',
    '@types/node': '24.19.2',
  },
  // Nest's decorators need experimentalDecorators + emitDecoratorMetadata, compiled by TypeScript 5.
  nestjs: {
    '@nestjs/common': '12.5.1',
    '@nestjs/core': '12.5.1',
    '@nestjs/platform-express': '12.5.1',
    '@nestjs/platform-fastify': '12.5.0',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
    typescript: '5.9.3',
    '@types/express': '5.0.6',
    '@types/node': '24.19.2',
  },
  // Generates Go (or C#, Python, ...) types from the JSON Schema; the docs show its command lines.
  quicktype: { quicktype: '26.0.0' },
  // The tracer option's optional peer, as a consumer installs it.
  opentelemetry: { '@opentelemetry/api': '1.10.0' },
} as const satisfies Record<string, Record<string, string>>
