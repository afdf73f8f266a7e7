/** See config-reference.js. */
export interface Setting {
  name: string;
  type: 'integer' | 'string';
  default: string | undefined;
  optional: boolean;
  allowed: string;
  description: string;
  file: string;
  className: string;
  apps: string[];
}
export declare const OUTPUT: string;
export declare function readSettings(): Setting[];
export declare function renderConfigurationReference(): Promise<string>;
export declare function findEnvironmentReads(files: string[]): { name: string; file: string }[];
export declare function undeclaredReads(): string[];
