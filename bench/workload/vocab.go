package workload

import "strings"

// The benign vocabulary of miss lines. Every host name is under a reserved
// name (RFC 2606/6761); every address is in a private or documentation
// range.
var (
	benignHosts = []string{
		"www.example.com", "cdn.example.net", "api.example.org", "static.example.com",
		"mail.example.com", "login.example.test", "update.example.net", "images.example.org",
		"telemetry.example.com", "ntp.example.test", "files.example.invalid", "ads.example.net",
		"time.example.org", "portal.corp.example", "dc01.corp.example", "wpad.corp.example",
		"s3.example.com", "video.example.net", "fonts.example.org", "accounts.example.com",
		"news.example.test", "shop.example.com", "git.corp.example", "vpn.corp.example",
	}
	benignSubs  = []string{"node", "edge", "img", "cache", "srv", "host"}
	benignPaths = []string{
		"/", "/index.html", "/static/js/app.%d.js", "/static/css/site.css", "/api/v2/users/%d",
		"/api/v2/orders?page=%d", "/images/banner.png", "/favicon.ico", "/login", "/search?q=weather",
		"/wp-content/uploads/2026/11/photo-%d.jpg", "/health", "/feed.xml", "/assets/fonts/roboto.woff2",
	}
	benignUAs = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	}
	benignImages = []string{
		`C:\Windows\System32\svchost.exe`, `C:\Windows\explorer.exe`,
		`C:\Program Files\Google\Chrome\Application\chrome.exe`,
		`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`C:\Users\alice\AppData\Local\Microsoft\Teams\current\Teams.exe`,
		`C:\Windows\System32\conhost.exe`, `C:\Program Files\Mozilla Firefox\firefox.exe`,
		`C:\Windows\System32\taskhostw.exe`, `C:\Windows\System32\RuntimeBroker.exe`,
		`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`,
	}
	benignKeys = []string{
		`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\OneDrive`,
		`HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs`,
		`HKLM\System\CurrentControlSet\Services\W32Time\Parameters`,
		`HKU\S-1-5-21-1004336348-1177238915-682003330-1001\Software\Google\Chrome`,
		`HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection`,
	}
	benignMutexes = []string{
		`\Sessions\1\BaseNamedObjects\SM0:4321:304:WilStaging_02`,
		`\Sessions\1\BaseNamedObjects\Local\ZonesCacheCounterMutex`,
		`\BaseNamedObjects\CicLoadWinStaWinSta0`,
		`\Sessions\1\BaseNamedObjects\Global\OneDriveUpdaterMutex`,
	}
	benignUsers   = []string{`CORP\alice`, `CORP\bob`, `NT AUTHORITY\SYSTEM`, `CORP\svc_backup`, `CORP\carol`}
	benignSubject = []string{"Weekly report", "Invoice 2026-11", "Re: lunch on Friday", "Your password expires soon", "Meeting notes"}
	mimeTypes     = []string{"text/html", "image/png", "application/json", "application/javascript", "text/css", "image/jpeg", "-"}
	squidCodes    = []string{"TCP_MISS/200", "TCP_HIT/200", "TCP_MISS/304", "TCP_TUNNEL/200", "TCP_DENIED/403", "TCP_MISS/404"}
	qtypes        = []string{"A", "A", "AAAA", "HTTPS", "MX", "TXT"}
	fwActions     = []string{"[UFW BLOCK]", "[UFW BLOCK]", "[UFW ALLOW]", "[UFW AUDIT]"}
	fwPorts       = []int{22, 23, 80, 443, 445, 3389, 8080, 53, 123, 5060}
	httpMethods   = []string{"GET", "GET", "GET", "POST", "HEAD", "PUT"}
	httpStatus    = []int{200, 200, 200, 304, 404, 301, 500, 403}
)

// reserved holds every alphanumeric token of the benign vocabulary and the
// reserved names, lower-cased: generated words are never one of them, so a
// generated indicator never equals a piece of a miss line.
var reserved = func() map[string]bool {
	r := map[string]bool{"example": true, "test": true, "invalid": true, "localhost": true, "local": true, "corp": true, "arpa": true}
	lists := [][]string{benignHosts, benignSubs, benignPaths, benignUAs, benignImages, benignKeys, benignMutexes, benignUsers, benignSubject, mimeTypes, squidCodes, qtypes, fwActions, httpMethods}
	for _, l := range lists {
		for _, s := range l {
			for _, w := range strings.FieldsFunc(strings.ToLower(s), func(c rune) bool {
				return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
			}) {
				r[w] = true
			}
		}
	}
	return r
}()
