/** See app-node-flags.js. */
export declare const APP_NODE_FLAGS: string[];
