// The lab's real peers, each started inside a namespace of a Lab and removed
// by lab.close(): avahi-daemon (private dbus) with avahi-browse and
// avahi-resolve, troglobit mdnsd with mquery, and a dumpcap/tshark capture.
export { startAvahi, avahiBrowse, avahiResolveName } from './avahi.js';
export type { Avahi, AvahiOptions, BrowseRecord, ServiceSpec } from './avahi.js';
export { startMdnsd, mquery } from './mdnsd.js';
export type { Mdnsd, MdnsdOptions, MqueryResult } from './mdnsd.js';
export { startCapture, readCapture } from './capture.js';
export type { Capture, CaptureResult, Frame } from './capture.js';
export { Proc, onClose, run, tempDir } from './proc.js';
