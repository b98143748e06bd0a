# Tibetan (བོད་ཡིག): the log-in screen and the navigation. Every other
# text falls back to zh-CN until a translator adds it here.
language-name = བོད་ཡིག
app-title = ཧུའུ་ཐུང་ · དཀའ་ངལ་བྱིས་པར་དོ་སྣང་སྐྱོབ་སྲུང་ལས་ཁུངས།
login-title = ནང་འཛུལ།
login-username = སྤྱོད་མཁན་གྱི་མིང་།
login-password = གསང་ཨང་།
login-submit = ནང་འཛུལ།
login-language = སྐད་ཡིག
login-open_other = གཞི་གྲངས་མཛོད་གཞན་ཞིག་ཁ་ཕྱེ།
nav-home = ལས་ཀའི་སྟེགས།
nav-children = བྱིས་པའི་ཡིག་ཚགས།
nav-visit_plan = ཐུག་འཕྲད་འཆར་གཞི།
nav-campaigns = ཞིབ་བཤེར།
nav-records = ལས་དོན་ཐོ་ཁྲ།
nav-exchange = གཞི་གྲངས་བརྗེ་རེས།
nav-print = པར་འདེབས།
nav-plugins = ཞིང་ཆེན་ལྷུ་ལག
nav-settings = སྒྲིག་འགོད།
nav-logout = ཕྱིར་ཐོན།
nav-users = སྤྱོད་མཁན་དང་དབང་ཚད།
