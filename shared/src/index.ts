export * from './manifest.ts';
export * from './errors.ts';
export * from './routes.ts';
