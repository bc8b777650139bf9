import type { Appointment } from '@parley/protocol';
import { defineStore } from 'pinia';
import { Emitter } from '../calls/emitter';

type AppointmentsBus = { updated: (appointment: Appointment) => void };

/**
 * `appointment.updated` from the phone's socket (PhoneHost keeps one per signed-in member):
 * the appointment pages subscribe here for live changes, as the call history does for calls.
 */
export const useAppointmentsStore = defineStore('appointments', () => {
  const bus = new Emitter<AppointmentsBus>();
  return {
    receive: (appointment: Appointment) => bus.emit('updated', appointment),
    on: (fn: (appointment: Appointment) => void) => bus.on('updated', fn),
  };
});
