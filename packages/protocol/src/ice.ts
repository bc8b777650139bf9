import { z } from 'zod';

/** One entry of RTCConfiguration.iceServers, as the browser takes it. */
export const IceServer = z
  .object({
    urls: z.array(z.string()),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .meta({ id: 'IceServer' });
export type IceServer = z.infer<typeof IceServer>;

export const IceServersResponse = z
  .object({
    iceServers: z.array(IceServer),
    ttlSeconds: z.int().meta({
      description: 'How long the TURN credentials stay valid; fetch again before then',
    }),
  })
  .meta({ id: 'IceServersResponse' });
export type IceServersResponse = z.infer<typeof IceServersResponse>;
