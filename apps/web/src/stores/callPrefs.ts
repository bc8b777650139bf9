import type { JoinRoomResponse } from '@parley/protocol';
import { useLocalStorage } from '@vueuse/core';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { MediaProblem } from '../calls';
import type { DirectStart } from '../phone/direct-call';

/** What the pre-join page learned, for the call page. */
export interface JoinedRoom {
  room: JoinRoomResponse['room'];
  role: JoinRoomResponse['role'];
  isHost: boolean;
  joinedAt: number;
}

/**
 * Choices made on the pre-join page and handed to the call page. Device ids are remembered
 * across visits; the mic/camera toggles too, as Meet does.
 */
export const useCallPrefsStore = defineStore('callPrefs', () => {
  const micOn = useLocalStorage('parley.prefs.micOn', true);
  const cameraOn = useLocalStorage('parley.prefs.cameraOn', true);
  /** '' means the browser's default device. */
  const audioInputId = useLocalStorage('parley.prefs.audioInput', '');
  const videoInputId = useLocalStorage('parley.prefs.videoInput', '');
  const audioOutputId = useLocalStorage('parley.prefs.audioOutput', '');

  /**
   * Why the camera or mic could not be opened on the pre-join page (null: it worked or was not
   * tried). The call page can show the same message and offer audio-only or a placeholder.
   */
  const cameraProblem = shallowRef<MediaProblem | null>(null);
  const micProblem = shallowRef<MediaProblem | null>(null);

  /** Set when the join was approved; the call page uses it instead of fetching the room again. */
  const joined = shallowRef<JoinedRoom | null>(null);

  /**
   * A direct call this device just accepted or placed, and with what (video, or audio only):
   * the call page starts the mic and camera from it instead of the remembered toggles, which
   * stay as they were for the next meeting.
   */
  const directStart = shallowRef<DirectStart | null>(null);

  function setJoined(res: JoinRoomResponse) {
    joined.value = { room: res.room, role: res.role, isHost: res.isHost, joinedAt: Date.now() };
  }

  return {
    micOn,
    cameraOn,
    audioInputId,
    videoInputId,
    audioOutputId,
    cameraProblem,
    micProblem,
    joined,
    setJoined,
    directStart,
  };
});
