// @mongodb-js/socksv5 ships no types; this is the part the scenarios use.
declare module '@mongodb-js/socksv5' {
  import type { Server } from 'node:net';

  interface ConnectionInfo {
    cmd: string;
    srcAddr: string;
    srcPort: number;
    dstAddr: string;
    dstPort: number;
  }
  type AuthHandler = { METHOD: number };
  interface SocksServer extends Server {
    useAuth(handler: AuthHandler): this;
  }
  const socks: {
    createServer(
      onConnection: (
        info: ConnectionInfo,
        accept: (intercept?: boolean) => unknown,
        deny: () => void,
      ) => void,
    ): SocksServer;
    auth: {
      None(): AuthHandler;
      UserPassword(
        check: (user: string, password: string, callback: (ok: boolean) => void) => void,
      ): AuthHandler;
    };
  };
  export default socks;
}
