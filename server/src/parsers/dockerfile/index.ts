export * from './model';
export { parseDockerfile, splitImage } from './parse';
export { tokenizeShell } from './shell';
