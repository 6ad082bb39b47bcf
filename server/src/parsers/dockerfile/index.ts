export * from './model';
export { parseDockerfile } from './parse';
export { tokenizeShell } from './shell';
