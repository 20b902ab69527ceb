export * from './bytes';
export * from './ids';
export * from './messages';
export * from './signing';
export * from './docAuth';
export * from './recoveryCopy';
export * from './spaceWriters';
