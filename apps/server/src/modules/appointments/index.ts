// The appointments module's public face: bookings, their join rules, the payment
// webhook and their routes. Other code imports it only from here.
export { appointmentRoutes } from './routes.js';
export { paymentWebhookRoutes } from './webhook-routes.js';
export { createAppointmentsService } from './service.js';
export type { AppointmentsService } from './service.js';
