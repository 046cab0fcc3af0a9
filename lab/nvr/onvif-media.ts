// The parts of the simulated NVR's ONVIF surface beyond the device basics in onvif.ts:
// GetNetworkInterfaces and GetScopes of the device service, and a minimal Media (ver10)
// service with GetProfiles and GetStreamUri, so that generic ONVIF tools can list streams.
// Shapes: ONVIF Core Specification (Device management, "Network" – GetNetworkInterfaces;
// "Discovery" – Scopes and GetScopes) and ONVIF Media Service Specification (GetProfiles,
// GetStreamUri); schema element names from onvif.xsd (tt:NetworkInterface, tt:Profile,
// tt:MediaUri). No RTSP server stands behind the URIs (see lab/README.md).
import { esc, text, type XmlDoc } from '../core/xml'
import type { Nvr } from './nvr'
import { fault, soap } from './onvif'

export const MEDIA_PATH = '/onvif/media_service'
export const NS_MEDIA = 'http://www.onvif.org/ver10/media/wsdl'
const RTSP_PORT = 554

/** tt:NetworkInterface with the MAC as tt:Info/tt:HwAddress (colon-separated, as devices report it). */
export function networkInterfaces(d: Nvr): string {
  return `<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${esc(d.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info><tt:Link><tt:AdminSettings><tt:AutoNegotiation>true</tt:AutoNegotiation><tt:Speed>1000</tt:Speed><tt:Duplex>Full</tt:Duplex></tt:AdminSettings><tt:OperSettings><tt:AutoNegotiation>true</tt:AutoNegotiation><tt:Speed>1000</tt:Speed><tt:Duplex>Full</tt:Duplex></tt:OperSettings><tt:InterfaceType>6</tt:InterfaceType></tt:Link><tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>${esc(d.ip)}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`
}

/** tt:Scopes: Fixed for type/hardware/Profile, Configurable for name and location (Core Spec, Discovery – scope parameters). */
export function scopes(d: Nvr): string {
  const item = (def: 'Fixed' | 'Configurable', uri: string) => `<tds:Scopes><tt:ScopeDef>${def}</tt:ScopeDef><tt:ScopeItem>${esc(uri)}</tt:ScopeItem></tds:Scopes>`
  return `<tds:GetScopesResponse>${d.scopes().map((u) => item(/\/(name|location)\//.test(u) ? 'Configurable' : 'Fixed', u)).join('')}</tds:GetScopesResponse>`
}

/** One main-stream profile per NVR channel (simulation choice: tokens `Profile_<n>01`, Hikvision-style channel ids). */
function profiles(d: Nvr): { token: string; channel: number }[] {
  return Array.from({ length: d.id.model.channels }, (_, i) => ({ token: `Profile_${i + 1}01`, channel: i + 1 }))
}

function profileXml(p: { token: string; channel: number }): string {
  return `<trt:Profiles token="${p.token}" fixed="true"><tt:Name>Channel${p.channel}_MainStream</tt:Name><tt:VideoSourceConfiguration token="VideoSourceConfig_${p.channel}"><tt:Name>VideoSourceConfig_${p.channel}</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>VideoSource_${p.channel}</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration><tt:VideoEncoderConfiguration token="VideoEncoder_${p.channel}"><tt:Name>VideoEncoder_${p.channel}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264><tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>`
}

export function handleMedia(d: Nvr, op: string, args: XmlDoc): ReturnType<typeof soap> {
  switch (op) {
    case 'GetProfiles':
      return soap(200, `<trt:GetProfilesResponse>${profiles(d).map(profileXml).join('')}</trt:GetProfilesResponse>`)
    case 'GetProfile': {
      const p = profiles(d).find((x) => x.token === text(args.ProfileToken))
      if (!p) return fault(400, 'Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'no such profile')
      return soap(200, `<trt:GetProfileResponse>${profileXml(p).replace(/trt:Profiles/g, 'trt:Profile')}</trt:GetProfileResponse>`)
    }
    case 'GetStreamUri': {
      // Media Service Spec, GetStreamUri: env:Sender / ter:InvalidArgVal / ter:NoProfile for an unknown token.
      const p = profiles(d).find((x) => x.token === text(args.ProfileToken))
      if (!p) return fault(400, 'Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'no such profile')
      const uri = `rtsp://${d.ip}:${RTSP_PORT}/Streaming/Channels/${p.channel}01`
      return soap(200, `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${esc(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`)
    }
  }
  return fault(500, 'Receiver', 'ter:ActionNotSupported', `${op} is not supported`)
}
