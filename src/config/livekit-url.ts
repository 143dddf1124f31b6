/**
 * livekit.url may be written ws(s):// or http(s)://. The SDK's API clients accept either;
 * livekit-sip's ws_url and plain fetch() health checks need one scheme, so convert here.
 */
export function livekitWsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

export function livekitHttpUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, 'http$1://');
}
