/**
 * The process refuses to start, for a reason its message gives whole (a setting, a port taken):
 * it is printed as one line, without a stack.
 */
export class StartupRefusal extends Error {}
