export * from './sodium';
