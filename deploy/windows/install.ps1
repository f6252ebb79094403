#Requires -RunAsAdministrator
<#
.SYNOPSIS
Installs hoga as a Windows service, or updates an installed one.

.DESCRIPTION
Copies hoga.exe (and .env, when present) from -Source to -Target, registers
the service on the first run (`hoga service install`: automatic delayed start,
restart on failure, virtual account NT SERVICE\hoga), limits the folder to
Administrators, SYSTEM and the service (read; write only in the data folder),
runs `hoga check`, and starts the service when every check passed.

Run it again to update: it stops the service (an order in flight is finished
first), replaces hoga.exe, checks and starts again. The journal in the data
folder is kept.

.PARAMETER Source
Folder holding the new hoga.exe and .env. Default: the folder of this script.

.PARAMETER Target
Where hoga lives. Default: C:\hoga (settings C:\hoga\.env, data C:\hoga\data).

.PARAMETER NoStart
Install and check, but do not start the service.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File .\install.ps1
#>
param(
    [string]$Source = $PSScriptRoot,
    [string]$Target = 'C:\hoga',
    [switch]$NoStart
)

$ErrorActionPreference = 'Stop'

$exe = Join-Path $Target 'hoga.exe'
$envFile = Join-Path $Target '.env'
$data = Join-Path $Target 'data'
$newExe = Join-Path $Source 'hoga.exe'
$newEnv = Join-Path $Source '.env'

if (-not (Test-Path -LiteralPath $newExe)) {
    throw "hoga.exe is not in $Source. Build it with: GOOS=windows GOARCH=amd64 go build -o hoga.exe ./cmd/hoga"
}

# 1. Stop a running service, so its binary can be replaced.
$service = Get-Service -Name 'hoga' -ErrorAction SilentlyContinue
if ($service -and $service.Status -ne 'Stopped') {
    & $exe service stop
    if ($LASTEXITCODE -ne 0) { throw "hoga service stop failed (exit $LASTEXITCODE)" }
}

# 2. Copy the files.
New-Item -ItemType Directory -Force -Path $Target, $data | Out-Null
$sameFolder = (Resolve-Path -LiteralPath $Source).Path.TrimEnd('\') -eq (Resolve-Path -LiteralPath $Target).Path.TrimEnd('\')
if (-not $sameFolder) {
    Copy-Item -LiteralPath $newExe -Destination $exe -Force
    if (Test-Path -LiteralPath $newEnv) {
        Copy-Item -LiteralPath $newEnv -Destination $envFile -Force
        Write-Host "Copied hoga.exe and .env to $Target"
    } else {
        Write-Host "Copied hoga.exe to $Target (no .env in $Source: the one in $Target is kept)"
    }
}
Unblock-File -LiteralPath $exe
if (-not (Test-Path -LiteralPath $envFile)) {
    throw "$envFile is missing: run '$exe setup' in $Target (or copy your .env there, see .env.example) and run this script again"
}

# 3. Register the service the first time.
if (-not $service) {
    & $exe service install
    if ($LASTEXITCODE -ne 0) { throw "hoga service install failed (exit $LASTEXITCODE)" }
}

# 4. Permissions. The folder holds the broker keys (.env) and the program the
# service runs: only Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) may
# change it, the service may read it, and it may write only in data.
# Everything below inherits from the folder alone.
& icacls.exe $Target /inheritance:r /grant:r '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-18:(OI)(CI)F' 'NT SERVICE\hoga:(OI)(CI)RX' /Q
if ($LASTEXITCODE -ne 0) { throw "icacls $Target failed (exit $LASTEXITCODE)" }
& icacls.exe (Join-Path $Target '*') /reset /T /C /Q
if ($LASTEXITCODE -ne 0) { throw "icacls reset under $Target failed (exit $LASTEXITCODE)" }
& icacls.exe $data /grant 'NT SERVICE\hoga:(OI)(CI)M' /Q
if ($LASTEXITCODE -ne 0) { throw "icacls $data failed (exit $LASTEXITCODE)" }
Write-Host "Permissions set: Administrators and SYSTEM full, NT SERVICE\hoga read ($Target) and modify ($data)"

# 5. Check before starting: settings, journal, broker token and a quote,
# Telegram. Nothing is ordered, no chat message is sent.
Push-Location -LiteralPath $Target
try {
    & $exe check
    $check = $LASTEXITCODE
} finally {
    Pop-Location
}
if ($check -eq 2) {
    throw "The settings in $envFile are invalid (see the lines above). Fix them and run this script again."
}
if ($check -ne 0) {
    Write-Warning "A check failed (see the FAIL lines above). The service is installed but not started. Fix the cause, then run: cd $Target; .\hoga.exe check; .\hoga.exe service start"
    exit 1
}

# 6. Start.
if ($NoStart) {
    Write-Host "Checks passed. Start the service with: $exe service start"
    exit 0
}
& $exe service start
if ($LASTEXITCODE -ne 0) { throw "hoga service start failed (exit $LASTEXITCODE): see Event Viewer > Windows Logs > Application, source hoga" }
& $exe service status
Write-Host "Log file: $data\logs\hoga.log   Follow it: Get-Content $data\logs\hoga.log -Tail 20 -Wait"
