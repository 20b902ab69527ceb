export * from './sodium';
export * from './passphrase';
export * from './secretKey';
