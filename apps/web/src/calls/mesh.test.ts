import { describe, expect, it } from 'vitest';
import type { SignalPayload } from '@parley/protocol';
import { Mesh } from './mesh';
import { PeerLink } from './peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './testing/fake-media';
import { fakePeerConnectionFactory } from './testing/fake-rtc';
import { settle } from './testing/settle';

function mesh() {
  const factory = fakePeerConnectionFactory();
  const outbox: [string, SignalPayload][] = [];
  const changes: number[] = [];
  const m = new Mesh({
    local: {
      audioTrack: asTrack(new FakeMediaStreamTrack('audio')),
      videoTrack: asTrack(new FakeMediaStreamTrack('video')),
      stream: createFakeStream(),
    },
    send: (to, p) => outbox.push([to, p]),
    configuration: {},
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
    onChange: () => changes.push(1),
    onError: (e) => {
      throw e;
    },
  });
  return { m, outbox, pcs: factory.instances };
}

describe('Mesh', () => {
  it('opens a link for an offer that arrives before the roster names its sender', async () => {
    const { m, outbox } = mesh();
    m.setLocalId('c_2');
    const remoteFactory = fakePeerConnectionFactory();
    const toMesh: SignalPayload[] = [];
    const remote = new PeerLink({
      localId: 'c_1',
      remoteId: 'c_2',
      send: (p) => toMesh.push(p),
      audioTrack: null,
      videoTrack: null,
      RTCPeerConnectionImpl: remoteFactory.ctor,
      createMediaStream: () => createFakeStream(),
    });
    for (let i = 0; i < 20; i++) {
      await settle();
      for (const p of toMesh.splice(0)) m.route('c_1', p);
      for (const [, p] of outbox.splice(0)) void remote.handleSignal(p);
    }
    expect(m.ids()).toEqual(['c_1']);
    expect(m.get('c_1')!.link.connectionState).toBe('connected');
    expect(remote.connectionState).toBe('connected');
  });

  it('does not open a link before it knows its own connection id, nor to itself', () => {
    const { m } = mesh();
    expect(m.ensure('c_1')).toBeUndefined();
    m.setLocalId('c_1');
    expect(m.ensure('c_1')).toBeUndefined();
    expect(m.ensure('c_2')).toBeDefined();
  });

  it('closes links negotiated under an earlier connection id of ours', () => {
    const { m, pcs } = mesh();
    m.setLocalId('c_1');
    m.ensure('c_7');
    m.setLocalId('c_5');
    expect(m.ids()).toEqual([]);
    expect(pcs[0]!.closed).toBe(true);
  });

  it('retainOnly closes the links to everyone not listed', () => {
    const { m, pcs } = mesh();
    m.setLocalId('c_1');
    m.ensure('c_2');
    m.ensure('c_3');
    m.retainOnly(new Set(['c_3']));
    expect(m.ids()).toEqual(['c_3']);
    expect(pcs.map((pc) => pc.closed)).toEqual([true, false]);
  });
});
