// The words the app shows, in one place so they can be translated. Only English exists so far.
import { en, type Words } from './en';

export type { Words };
export const words: Words = en;
