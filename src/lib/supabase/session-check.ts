// What a failed getUser() means for the request: the Auth server rejected the token (the user is
// signed out), or it could not be asked at all (an outage the user should see as such).
export function rejectedByAuth(error: { status?: number }): boolean {
	return error.status !== undefined && error.status >= 400 && error.status < 500;
}
