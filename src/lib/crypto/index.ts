export * from './sodium';
export * from './passphrase';
