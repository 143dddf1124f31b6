import { RoomServiceClient, SipClient } from 'livekit-server-sdk';

/** The two LiveKit API clients provisioning uses: SIP objects, and rooms to find active calls. */
export interface ProvisioningClient {
  sip: SipClient;
  rooms: RoomServiceClient;
}

export interface LivekitApi {
  /** HTTP(S) or WS(S) URL of livekit-server, e.g. http://127.0.0.1:7880. */
  url: string;
  apiKey: string;
  apiSecret: string;
}

export function createProvisioningClient(
  api: LivekitApi,
  opts: { requestTimeoutSeconds?: number } = {},
): ProvisioningClient {
  const url = api.url.replace(/^ws(s?):/, 'http$1:');
  // A short timeout: a hung server must not stall the reconciler loop for the SDK's default minute.
  const options = { requestTimeout: opts.requestTimeoutSeconds ?? 10 };
  return {
    sip: new SipClient(url, api.apiKey, api.apiSecret, options),
    rooms: new RoomServiceClient(url, api.apiKey, api.apiSecret, options),
  };
}
