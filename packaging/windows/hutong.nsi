; 护童 Hutong: the Windows installer (NSIS 3, built on Linux by scripts/package).
;
; Installs for the current user, without administrator rights (county
; office PCs are often locked down), into %LOCALAPPDATA%\Programs\Hutong,
; with a Start-menu entry, a desktop shortcut and an uninstaller in
; 设置 › 应用. The county's data is not here: Hutong keeps it in the user's
; application-data folder (%APPDATA%\hutong\hutong\data), and the uninstaller leaves it
; alone, since it is the county's records.
;
; makensis -DVERSION=0.1.0 -DEXE=path\to\hutong.exe -DICON=hutong.ico -DOUT=dist\hutong-setup.exe hutong.nsi

Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "pass -DVERSION=…"
!endif
!ifndef EXE
  !error "pass -DEXE=path to hutong.exe"
!endif
!ifndef ICON
  !error "pass -DICON=path to hutong.ico"
!endif
!ifndef OUT
  !define OUT "hutong-${VERSION}-windows-x64-setup.exe"
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Hutong"

Name "护童 Hutong ${VERSION}"
OutFile "${OUT}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$LOCALAPPDATA\Programs\Hutong"
InstallDirRegKey HKCU "Software\Hutong" "InstallDir"
ShowInstDetails show

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\hutong.exe"
!define MUI_FINISHPAGE_RUN_TEXT "启动护童"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "护童 Hutong"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "护童：县级困境儿童关爱工作站"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "MIT OR Apache-2.0"

Section "护童" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=hutong.exe" "${EXE}"
  File "/oname=hutong.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\护童"
  CreateShortcut "$SMPROGRAMS\护童\护童 Hutong.lnk" "$INSTDIR\hutong.exe" "" "$INSTDIR\hutong.ico" 0
  CreateShortcut "$SMPROGRAMS\护童\卸载护童.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\护童 Hutong.lnk" "$INSTDIR\hutong.exe" "" "$INSTDIR\hutong.ico" 0
  WriteRegStr HKCU "Software\Hutong" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "护童 Hutong"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Hutong"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\hutong.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; Only the program. The county database, its key file and backups in
  ; %APPDATA%\hutong\hutong\data stay: they are the county's records.
  Delete "$INSTDIR\hutong.exe"
  Delete "$INSTDIR\hutong.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\护童\护童 Hutong.lnk"
  Delete "$SMPROGRAMS\护童\卸载护童.lnk"
  RMDir "$SMPROGRAMS\护童"
  Delete "$DESKTOP\护童 Hutong.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Hutong"
SectionEnd
