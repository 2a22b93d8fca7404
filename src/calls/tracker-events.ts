/** Every AMI event the tracker reads; the installer's eventfilter lines must let all of them through. */
export const TRACKER_EVENTS = [
  'Newchannel',
  'NewCallerid',
  'Newstate',
  'DialBegin',
  'DialEnd',
  'BridgeEnter',
  'Hangup',
  'HangupRequest',
  'QueueCallerAbandon',
  'AgentCalled',
  'AgentRingNoAnswer',
  'AgentConnect',
  'Pickup',
] as const;
